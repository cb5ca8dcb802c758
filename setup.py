"""The C extensions, built at install time when a C compiler and Python's headers are present;
without them the same computations run in pure Python, with the same results:
- crypto._native (spec §2.5, §6.7): multi-exponentiation's loops around libsecp256k1
  (``crypto.multiexp.NATIVE`` says whether it is built);
- crypto._canonical (spec §4.2): the check that a JSON document is in canonical form."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "crypto._native",
            ["crypto/_native.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=c11"],
        ),
        Extension(
            "crypto._canonical",
            ["crypto/_canonical.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=c11"],
        ),
    ]
)
