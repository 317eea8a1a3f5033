from .closing import classes_open_for_member  # the hours app's suggestion source (apps.py)

__all__ = ["classes_open_for_member"]
