"""Member pages (`members`: list, detail, 我的 and the write pages) and the roster pages
(`roster`: import, confirm, template, export)."""
