from chalicelib.settings import Settings


def test_local_defaults_never_reach_a_deployed_stage(monkeypatch):
    monkeypatch.setenv("ATIENDE_STAGE", "prod")
    settings = Settings()
    assert settings.meta_app_secret is None
    assert settings.jwt_secret is None
    assert settings.mail_dir is None


def test_local_stage_has_documented_defaults(monkeypatch):
    monkeypatch.setenv("ATIENDE_STAGE", "local")
    settings = Settings()
    assert settings.meta_verify_token is not None
    assert settings.meta_verify_token.get_secret_value() == "local-verify-token"


def test_secrets_never_print(monkeypatch):
    monkeypatch.setenv("ATIENDE_STAGE", "prod")
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_planted_secret")
    monkeypatch.setenv("ATIENDE_JWT_SECRET", "planted-jwt-secret")
    settings = Settings()
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert "planted" not in shown
    assert settings.stripe_api_key.get_secret_value() == "sk_live_planted_secret"


def test_names_derive_from_the_stage(monkeypatch):
    monkeypatch.setenv("ATIENDE_STAGE", "dev")
    settings = Settings()
    assert settings.table == "atiende-dev"
    assert settings.queue_name("inbound") == "atiende-dev-inbound"
    assert settings.kms_key_id == "alias/atiende-dev-channel-secrets"


def test_only_the_settings_module_reads_the_environment():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in [root / "app.py", *(root / "chalicelib").rglob("*.py")]
        if path.name != "settings.py"
        and re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text())
    ]
    assert offenders == []
