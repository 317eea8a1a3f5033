"""The learning app's models, one module per topic (the import helper adds `imports`)."""

from .classes import OnlineClass, OnlineClassCourse, OnlineClassQuerySet
from .courses import Course, CourseItem, CourseQuerySet, ItemKind, LearningRule, MoveOn
from .progress import Completion, ItemProgress, PlaySession, QuizAttempt, Strike

__all__ = [
    "Completion",
    "Course",
    "CourseItem",
    "CourseQuerySet",
    "ItemKind",
    "ItemProgress",
    "LearningRule",
    "MoveOn",
    "OnlineClass",
    "OnlineClassCourse",
    "OnlineClassQuerySet",
    "PlaySession",
    "QuizAttempt",
    "Strike",
]
