"""Every write of organisational life: meetings (record, update, close, reopen, attachments),
observers (列席旁听), appraisal results (民主评议党员), 送学上门 visits and the tenant's credit
rules per kind of meeting. One module per concern; callers import the module they need."""
