"""The password hasher: Argon2id with parameters sized for this site (bench/README.md, "Passwords")."""

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    """OWASP's recommended minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane.

    Django's default (100 MiB, 2 passes, 8 lanes) costs about ten times the CPU per sign-in: the
    general branch's 1,278 members signing in at once would queue for minutes on 2 cores. The
    algorithm name stays "argon2", and each hash carries its own parameters, so hashes made with
    Django's parameters still verify and are rehashed with these at their owner's next sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
