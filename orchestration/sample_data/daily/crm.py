"""The CRM part of a daily batch: sign-ups with their contacts, CRM edits of a few accounts
and contacts, and the month-to-date marketing spend."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.sample_data.common import (
    CHANNELS,
    CURRENCIES,
    DAY,
    INDUSTRIES,
    ROLES,
    codes_of,
    dates_from_months,
    int_values,
    labels,
    month_index,
    months_of,
    optional_ints,
    timestamps,
)
from orchestration.sample_data.daily.day import Directory, Part, column, columns
from orchestration.sample_data.entities import (
    Accounts,
    account_columns,
    contact_columns,
    make_accounts,
    make_contacts,
)

SIGNUPS_PER_ACCOUNT_DAY = 1 / 600
ACCOUNT_EDITS = 0.003
CONTACT_EDITS = 0.002


class Crm(Part):
    def accounts(self) -> Accounts:
        """Writes the day's sign-ups and a few edited accounts; returns the sign-ups."""
        rng = self.rng
        existing = self.day.ids.next["crm/accounts"] - 1
        n_new = max(1, int(rng.poisson(max(existing, 1) * SIGNUPS_PER_ACCOUNT_DAY)))
        numbers = self.take_ids("crm/accounts", n_new)
        created = np.sort(self.times(n_new, share=0.9))
        new_acc = make_accounts(rng, numbers, created, self.win.hi)
        new_acc.updated = created
        self.writer.write("crm/accounts", account_columns(new_acc))
        rows = self.rows_by_id("crm/accounts", self.sample_numbers("crm/accounts", ACCOUNT_EDITS))
        if rows.num_rows:
            self.writer.write("crm/accounts", self._edited_accounts(rows))
        return new_acc

    def _edited_accounts(self, rows: pa.Table) -> dict[str, pa.Array]:
        """CRM hygiene: headcounts refreshed, missing industries and regions filled in."""
        rng, n = self.rng, rows.num_rows
        employees = int_values(column(rows, "employee_count"))
        grown = np.maximum(1, np.round(employees * rng.uniform(0.95, 1.3, n))).astype(np.int64)
        filled = np.exp(rng.uniform(np.log(5), np.log(5000), n)).astype(np.int64)
        employees = np.where(employees < 0, np.where(rng.random(n) < 0.5, filled, -1), grown)
        industry = codes_of(INDUSTRIES, column(rows, "industry"))
        industry = np.where(industry < 0, rng.integers(0, len(INDUSTRIES), n), industry)
        cols = columns(rows)
        cols["employee_count"] = optional_ints(employees, employees < 0)
        cols["industry"] = labels(INDUSTRIES, industry)
        cols["updated_at"] = timestamps(self.times(n))
        return cols

    def contacts(self, acc: Accounts) -> Directory:
        """Writes the contacts of the sign-ups ``acc`` and a few role changes; returns the
        sign-ups' contacts."""
        rng = self.rng
        con = make_contacts(rng, acc, self.win.hi)
        numbers = self.take_ids("crm/contacts", len(con.account))
        self.writer.write("crm/contacts", contact_columns(con, acc, numbers))
        new_contacts = Directory(acc.number[con.account], numbers, con.role)
        rows = self.rows_by_id("crm/contacts", self.sample_numbers("crm/contacts", CONTACT_EDITS))
        if rows.num_rows:
            role = codes_of(ROLES, column(rows, "role"))
            shift = rng.integers(1, len(ROLES), rows.num_rows)
            role = np.where(role < 0, 3, (role + shift) % len(ROLES))
            cols = columns(rows)
            cols["role"] = labels(ROLES, role)
            cols["updated_at"] = timestamps(self.times(rows.num_rows))
            self.writer.write("crm/contacts", cols)
        return new_contacts

    def marketing_spend(self) -> None:
        """Month-to-date spend grows by a day; a new month starts its rows."""
        t = self.land.query("select * from marketing_spend order by channel, spend_month")
        month = int(month_index(self.win.hi))
        channel = codes_of(CHANNELS, column(t, "channel"))
        spend_month = months_of(column(t, "spend_month"))
        amount = int_values(column(t, "amount_cents"))
        currency = codes_of(CURRENCIES, column(t, "currency"))
        rows = []
        for code in range(len(CHANNELS)):
            mine = channel == code
            if not mine.any():
                continue
            last = np.flatnonzero(mine)[-1]
            full = mine & (spend_month < month)
            daily = (amount[full][-1] if full.any() else amount[last]) / 30
            daily *= float(np.exp(self.rng.normal(0, 0.2)))
            days = (self.win.hi - self.win.lo) / DAY
            current = amount[last] if spend_month[last] == month else 0
            rows.append((month, code, round(current + daily * days), currency[last]))
        self.writer.write(
            "crm/marketing_spend",
            {
                "spend_month": dates_from_months(np.array([r[0] for r in rows], dtype=np.int64)),
                "channel": labels(CHANNELS, np.array([r[1] for r in rows], dtype=np.int64)),
                "amount_cents": pa.array([r[2] for r in rows], pa.int64()),
                "currency": labels(CURRENCIES, np.array([r[3] for r in rows], dtype=np.int64)),
            },
        )
