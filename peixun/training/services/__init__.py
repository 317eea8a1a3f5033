"""Every write of the training app: classes and their curriculum (`classes`), dispatch
(`dispatch`), make-ups (`makeup`) and closing (`closing`). Callers import from the topic."""
