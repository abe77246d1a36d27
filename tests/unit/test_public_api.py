import thecal


def test_every_public_name_resolves():
    for name in thecal.__all__:
        assert getattr(thecal, name) is not None, name
    assert issubclass(thecal.UnitError, thecal.InputError)
    assert issubclass(thecal.InputError, thecal.ThecalError)


def test_all_names_every_public_name_and_nothing_else():
    """`__all__` is complete: every public name the package defines is in it (a name
    added to the imports but not to `__all__` fails here), and each entry exists."""
    import types

    public = {n for n, v in vars(thecal).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)}  # fmt: skip
    assert public == set(thecal.__all__)
    assert len(thecal.__all__) == len(set(thecal.__all__))

