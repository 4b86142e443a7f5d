from hello_gpu.cli import main


def test_exit_code_passes_through():
    assert main(["--exit", "3"]) == 3


def test_prints_python_version(capsys):
    main([])
    assert "hello-gpu on Python" in capsys.readouterr().out
