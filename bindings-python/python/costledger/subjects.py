"""Subjects (the host's users), their projects, and which API keys are theirs when (core
``ledger/subjects.rs``, ``model/subject.rs``): the types and the methods of
:class:`~costledger.Ledger` and :class:`~costledger.AsyncLedger`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from ._convert import call, to_utc
from ._generated import KeyMapping, Project, Subject

if TYPE_CHECKING:
    from . import _native

__all__ = ["KeyMapping", "Project", "Subject"]


def _subject(text: str) -> Subject:
    return Subject._from_json(json.loads(text))


def _subjects(text: str) -> list[Subject]:
    return [Subject._from_json(s) for s in json.loads(text)]


def _project(text: str) -> Project:
    return Project._from_json(json.loads(text))


def _projects(text: str) -> list[Project]:
    return [Project._from_json(p) for p in json.loads(text)]


def _mapping(text: str) -> KeyMapping:
    return KeyMapping._from_json(json.loads(text))


def _mappings(text: str) -> list[KeyMapping]:
    return [KeyMapping._from_json(m) for m in json.loads(text)]


class SubjectMethods:
    """The subject, project and mapping methods of :class:`costledger.Ledger`."""

    __slots__ = ()
    _native: _native.Ledger

    def upsert_subject(
        self, id: str, *, email: str | None = None, name: str | None = None
    ) -> Subject:
        """Create a subject (a user of your application), or replace its email and name. A
        new subject gets a default project.

        Args:
            id: Your id for the user (1-200 characters).
            email: Their email (unique among subjects, compared without case): keys created
                by the organisation member with this email are attributed to them.
            name: Their display name.

        Returns:
            The subject.

        Raises:
            InvalidInputError: A bad id, email or name.
            ConflictError: Another subject has this email.
        """
        pending = call(self._native, "upsert_subject", id=id, email=email, name=name)
        return _subject(pending.wait())

    def get_subject(self, id: str) -> Subject:
        """One subject.

        Raises:
            NotFoundError: No such subject (code ``SUBJECT_NOT_FOUND``).
        """
        return _subject(call(self._native, "get_subject", id=id).wait())

    def list_subjects(self) -> list[Subject]:
        """Every subject, by id."""
        return _subjects(call(self._native, "list_subjects").wait())

    def delete_subject(self, id: str) -> None:
        """Delete a subject, its projects and its mappings; their keys become unattributed
        (unless their creator's email matches another subject).

        Raises:
            NotFoundError: No such subject (code ``SUBJECT_NOT_FOUND``).
        """
        call(self._native, "delete_subject", id=id).wait()

    def create_project(self, subject_id: str, name: str) -> Project:
        """Create a project owned by a subject.

        Args:
            subject_id: The owner.
            name: Its name, unique per subject.

        Returns:
            The project.

        Raises:
            NotFoundError: No such subject (code ``SUBJECT_NOT_FOUND``).
            ConflictError: The subject has a project of this name.
        """
        pending = call(self._native, "create_project", subject_id=subject_id, name=name)
        return _project(pending.wait())

    def list_projects(self, subject_id: str | None = None) -> list[Project]:
        """Projects of one subject, or of everyone."""
        return _projects(call(self._native, "list_projects", subject_id=subject_id).wait())

    def delete_project(self, id: int) -> None:
        """Delete a project (not a default one); keys mapped to it fall back to its subject's
        default project.

        Raises:
            NotFoundError: No such project (code ``PROJECT_NOT_FOUND``).
            InvalidInputError: It is a default project.
        """
        call(self._native, "delete_project", id=id).wait()

    def map_key(
        self,
        plan_id: int,
        api_key_id: str,
        subject_id: str,
        *,
        project_id: int | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
    ) -> KeyMapping:
        """Attribute an API key of a plan to a subject (and project) from ``valid_from`` (default:
        all of its history) until ``valid_to`` (default: open-ended). When the key changes
        hands, map it to the new subject from that instant: the previous open-ended mapping
        is closed there. Reports change at once; no re-sync is needed.

        Args:
            plan_id: The plan.
            api_key_id: The provider's key id (``apikey_…``), as in :meth:`plan_metadata`.
            subject_id: The subject.
            project_id: One of the subject's projects (default: their default project).
            valid_from: From when (timezone-aware).
            valid_to: Until when (timezone-aware).

        Returns:
            The mapping.

        Raises:
            InvalidInputError: A bad key id, a naive datetime, or an end before the start.
            NotFoundError: The plan, subject or project does not exist.
            ConflictError: It overlaps another mapping of the key.
        """
        return _mapping(
            call(
                self._native,
                "map_key",
                plan_id=plan_id,
                api_key_id=api_key_id,
                subject_id=subject_id,
                project_id=project_id,
                valid_from=None if valid_from is None else to_utc(valid_from, "valid_from"),
                valid_to=None if valid_to is None else to_utc(valid_to, "valid_to"),
            ).wait()
        )

    def list_mappings(
        self,
        *,
        plan_id: int | None = None,
        api_key_id: str | None = None,
        subject_id: str | None = None,
    ) -> list[KeyMapping]:
        """Mappings matching every filter given."""
        pending = call(
            self._native, "list_mappings", plan_id=plan_id, api_key_id=api_key_id,
            subject_id=subject_id,
        )  # fmt: skip
        return _mappings(pending.wait())

    def end_mapping(self, mapping_id: int, at: datetime) -> KeyMapping:
        """End a mapping at ``at`` (timezone-aware): from then on the key falls back to its
        creator (or nobody).

        Raises:
            NotFoundError: No such mapping (code ``MAPPING_NOT_FOUND``).
            InvalidInputError: A naive datetime, or ``at`` not after the mapping's start.
        """
        pending = call(self._native, "end_mapping", id=mapping_id, at=to_utc(at, "at"))
        return _mapping(pending.wait())

    def delete_mapping(self, mapping_id: int) -> None:
        """Delete a mapping.

        Raises:
            NotFoundError: No such mapping (code ``MAPPING_NOT_FOUND``).
        """
        call(self._native, "delete_mapping", id=mapping_id).wait()
