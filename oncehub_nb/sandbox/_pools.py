"""Pools of fake-but-plausible values (Faker) that the data generators draw from."""

from __future__ import annotations

import random

from faker import Faker

from oncehub_nb.sandbox._dataset import slug


class Pools:
    """Fake-but-plausible values drawn once from Faker, then combined with ``random``.

    Drawing pools up front keeps generation fast (Faker calls are the slow part) while the
    records stay varied.

    Example:
        >>> pools = Pools(random.Random(0), seed=0)
        >>> len(pools.first_names) > 10
        True
    """

    def __init__(self, rng: random.Random, *, seed: int) -> None:
        fake = Faker("en_US")
        fake.seed_instance(seed)
        self.rng = rng
        self.first_names = [fake.first_name() for _ in range(80)]
        self.last_names = [fake.last_name() for _ in range(80)]
        self.companies = [fake.company() for _ in range(40)]
        self.cities = [fake.city() for _ in range(40)]
        self.states = [fake.state_abbr() for _ in range(20)]
        self.streets = [fake.street_address() for _ in range(40)]
        self.postcodes = [fake.postcode() for _ in range(40)]
        self.jobs = [fake.job() for _ in range(40)]
        self.sentences = [fake.sentence(nb_words=8) for _ in range(40)]
        self.domains = [fake.domain_word() + ".example.com" for _ in range(30)]
        self.account_domain = slug(fake.domain_word()) + ".example.com"

    def pick(self, values: list[str]) -> str:
        """Return one value of ``values``.

        Example:
            >>> Pools(random.Random(0), seed=0).pick(["a"])
            'a'
        """
        return values[self.rng.randrange(len(values))]
