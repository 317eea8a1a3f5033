"""Files out: .docx/.xlsx/PDF builders."""
