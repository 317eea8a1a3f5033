"""The learning app's models, one module per topic; this package re-exports every model."""

from .classes import OnlineClass, OnlineClassCourse, OnlineClassQuerySet
from .courses import Course, CourseItem, CourseQuerySet, ItemKind, LearningRule, MoveOn
from .imports import ExternalRecord, ExternalSource, ImportBatch, ImportLine
from .progress import Completion, ItemProgress, PlaySession, QuizAttempt, Strike
from .reading import Book, ReadingCredit, ReadingList, Reflection

__all__ = [
    "Book",
    "Completion",
    "Course",
    "CourseItem",
    "CourseQuerySet",
    "ExternalRecord",
    "ExternalSource",
    "ImportBatch",
    "ImportLine",
    "ItemKind",
    "ItemProgress",
    "LearningRule",
    "MoveOn",
    "OnlineClass",
    "OnlineClassCourse",
    "OnlineClassQuerySet",
    "PlaySession",
    "QuizAttempt",
    "ReadingCredit",
    "ReadingList",
    "Reflection",
    "Strike",
]
