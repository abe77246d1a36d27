import thecal


def test_every_public_name_resolves():
    for name in thecal.__all__:
        assert getattr(thecal, name) is not None, name
    assert issubclass(thecal.UnitError, thecal.InputError)
    assert issubclass(thecal.InputError, thecal.ThecalError)
