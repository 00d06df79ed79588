from __future__ import annotations

from oncehub_nb.frames.build import Column, records_to_frame
from oncehub_nb.resources.bookings import BOOKING_COLUMNS

RECORD = {
    "object": "booking",
    "id": "BKNG-AAAAAAAAAAAA",
    "status": "scheduled",
    "in_trash": False,
    "creation_time": "2026-05-02T21:18:19.317Z",
    "starting_time": "2026-05-03T09:00:00Z",
    "last_updated_time": "2026-05-02T21:18:19.317Z",
    "duration_minutes": 30,
    "owner": {"id": "USR-AAAAAAAAAA", "object": "user"},
    "form_submission": None,
    "attendees": ["a@example.com"],
    "booking_calendar": "BKC-AAAAAAAAAA",
    "brand_new_field": {"x": 1},
}


def test_mixed_precision_times_and_expanded_ids() -> None:
    frame = records_to_frame(
        [RECORD, {**RECORD, "id": "BKNG-B", "owner": "USR-B"}], BOOKING_COLUMNS
    )
    assert frame["creation_time"].dt.tz is not None
    assert str(frame.loc[0, "creation_time"]) == "2026-05-02 21:18:19.317000+00:00"
    assert frame["owner_id"].tolist() == ["USR-AAAAAAAAAA", "USR-B"]
    assert frame["form_submission.email"].isna().all()
    assert frame["attendees"].tolist() == [["a@example.com"], ["a@example.com"]]


def test_loose_real_data_is_tolerated() -> None:
    odd = {
        "id": "BKNG-C",
        "status": "some_future_status",
        "duration_minutes": None,
        "in_trash": None,
        "starting_time": "",
        "location_description": "",
        "form_submission": {"email": None},
    }
    frame = records_to_frame([odd], BOOKING_COLUMNS)
    assert frame.loc[0, "status"] == "some_future_status"
    assert "scheduled" in frame["status"].cat.categories
    assert (
        frame["duration_minutes"].isna().all() and str(frame["duration_minutes"].dtype) == "Int64"
    )
    assert frame["starting_time"].isna().all()
    assert frame["location_description"].isna().all()


def test_empty_result_has_the_same_columns_and_dtypes() -> None:
    full = records_to_frame([RECORD], BOOKING_COLUMNS)
    empty = records_to_frame([], BOOKING_COLUMNS)
    assert list(empty.columns) == list(full.columns) == [c.name for c in BOOKING_COLUMNS]
    assert empty.dtypes.astype(str).tolist() == full.dtypes.astype(str).tolist()


def test_time_zone_conversion() -> None:
    frame = records_to_frame(
        [RECORD], (Column("starting_time", "datetime"),), tz="America/New_York"
    )
    assert str(frame["starting_time"].dt.tz) == "America/New_York"
    assert frame.loc[0, "starting_time"].hour == 5
