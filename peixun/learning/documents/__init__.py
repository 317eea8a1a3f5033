"""Files of online learning, one module per topic (`classes`: an online class's progress 台账)."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
