"""Cross-check the care-mix model's bed queues against an M/M/c (Erlang-C) queue.

For each mix of a run's abm.csv, in one year: arrivals λ = people joining the bed queue a
month (`bed_queue_entries`; those admitted at once join and leave it at the same allocation),
mean stay S = disabled residents ÷ admissions a month (Little's law for the residents), servers
c = beds less the self-caring residents; the model's queue is the year's mean
(`waiting_institution_mean`), not the 1 November stock. Erlang C then gives the chance of
waiting and the mean wait of a stationary queue with exponential stays. A model queue far above
it is not congestion (random bunching of arrivals) but a shortfall or a rule: demand growing
past capacity, beds in the wrong area, beds of the wrong type.

    python scripts/erlang_check.py outputs/base/abm.csv [year]
"""

from __future__ import annotations

import math
import sys

import pandas as pd


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with offered load a = λS (< c)."""
    blocking = 1.0
    for k in range(1, servers + 1):                 # Erlang B by its stable recursion
        blocking = load * blocking / (k + load * blocking)
    rho = load / servers
    return blocking / (1 - rho * (1 - blocking))


def check(abm: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per mix: λ, S, c, utilisation, Erlang-C waiting chance and wait, and the model's."""
    def value(mix, metric, at):
        rows = abm[(abm.mix == mix) & (abm.metric == metric) & (abm.year == at)]
        return float(rows.value.iloc[0]) if len(rows) else math.nan

    rows = []
    for mix in dict.fromkeys(abm.mix):
        arrivals = value(mix, "bed_queue_entries", year) / 12
        admissions = value(mix, "admissions_institution", year) / 12
        residents = (value(mix, "users_institution", year) + value(mix, "users_institution", year + 1)) / 2
        self_caring = (value(mix, "self_caring_residents", year) + value(mix, "self_caring_residents", year + 1)) / 2
        servers = int(value(mix, "beds", year + 1) - self_caring)
        if not arrivals or not admissions or servers <= 0:
            continue
        stay = residents / admissions
        load = arrivals * stay
        rho = load / servers
        waits = erlang_c(servers, load) if rho < 1 else 1.0
        mean_wait = waits / (servers / stay - arrivals) if rho < 1 else math.inf
        rows.append({"mix": mix, "arrivals_a_month": arrivals, "mean_stay_months": stay, "servers": servers,
                     "utilisation": rho, "erlang_chance_of_waiting": waits, "erlang_mean_wait_months": mean_wait,
                     "model_mean_queue": value(mix, "waiting_institution_mean", year),
                     "model_mean_wait_months": value(mix, "mean_queue_months", year)})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "outputs/base/abm.csv"
    table = pd.read_csv(path)
    at = int(sys.argv[2]) if len(sys.argv) > 2 else int(table.year.max()) - 1
    with pd.option_context("display.width", 200, "display.float_format", "{:,.3g}".format):
        print(check(table, at).to_string(index=False))
