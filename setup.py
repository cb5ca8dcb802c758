"""The one C extension, crypto._native (spec §2.5, §6.7): built at install time when a C
compiler and Python's headers are present; without it crypto.multiexp runs the same
computations in pure Python (``crypto.multiexp.NATIVE`` says which)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "crypto._native",
            ["crypto/_native.c"],
            optional=True,
            extra_compile_args=["-O2", "-std=c11"],
        ),
    ]
)
