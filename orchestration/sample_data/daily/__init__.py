"""One daily load of the sample data: the day's new rows plus new versions of changed rows.

Like a real extract-load job, a daily batch only knows what has already landed: it reads the
current rows of the landing directory (DuckDB over the existing batches), moves the business
on by one day and writes what changed in the window ``(previous load, this load]``:

- crm: new sign-ups with their contacts; CRM edits of a few accounts and contacts.
- billing: new subscriptions (sign-ups, reactivations, plan changes), cancellations (immediate
  or at period end), seat changes, dunning (``past_due``); the day's renewal invoices, open
  invoices getting paid or written off, drafts finalized; a few refunds.
- support: new tickets with their events; open tickets worked on (replies, solves, pending),
  solved tickets closed after four days or reopened by the customer; CSAT for the tickets
  solved today, some NPS answers, follow-ups of unhappy answers.
- month-to-date marketing spend and the current month's FX rate are revised.

Every changed row is re-emitted whole, with a later ``_loaded_at`` and (where the table has
one) a later ``updated_at``. The steps live by source in ``crm``, ``billing`` and ``support``
and share a :class:`~orchestration.sample_data.daily.day.Day`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.sample_data.common import DAY, BatchWriter, load_time_us, rng_for
from orchestration.sample_data.daily.billing import Billing
from orchestration.sample_data.daily.crm import Crm
from orchestration.sample_data.daily.day import Day, Window
from orchestration.sample_data.daily.support import Support
from orchestration.sample_data.landing import Landing


def write_daily_batch(out_dir: Path, seed: int, day: date, number: int) -> dict[str, int]:
    """Write batch ``number`` (loaded at 02:00 on ``day``) into ``out_dir``."""
    land = Landing(out_dir)
    try:
        loaded_at = load_time_us(day)
        previous = land.max_loaded_at()
        if loaded_at <= previous:
            raise ValueError(f"{day} is not after the latest batch already in {out_dir}")
        window = Window(max(loaded_at - DAY, previous), loaded_at)
        writer = BatchWriter(out_dir, number, loaded_at)
        try:
            run_steps(Day(rng_for(seed, 5, day.toordinal()), window, land, writer))
        except BaseException:
            writer.abort()
            raise
        return writer.close()
    finally:
        land.close()


def run_steps(day: Day) -> None:
    """The steps of one daily load, in dependency order (which also orders the random draws)."""
    crm, billing = Crm(day), Billing(day)
    new_acc = crm.accounts()
    new_contacts = crm.contacts(new_acc)
    running = billing.subscriptions(new_acc)
    payers = billing.invoices(running)
    billing.refunds()
    support = Support(day, new_contacts, payers)
    solved = support.tickets()
    support.surveys(solved)
    crm.marketing_spend()
    billing.fx_rates()
