"""System email templates in Spanish, Portuguese and English (HTML with a text part)."""

from __future__ import annotations

import html
from string import Template
from typing import Any

from chalicelib.mail.message import OutgoingEmail

# name -> locale -> (subject, text body); the HTML part is the text, escaped, in a layout.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "invitation": {
        "es": (
            "$inviter te invitó a $company en Atiende",
            "Hola $first_name:\n\n$inviter te invitó a unirte a $company en Atiende.\n"
            "Para activar tu cuenta y elegir tu contraseña, abre este enlace:\n\n$link\n\n"
            "El enlace vale 7 días y se puede usar una sola vez. Si vence, pide a un "
            "administrador de $company que te reenvíe la invitación.",
        ),
        "pt": (
            "$inviter convidou você para $company no Atiende",
            "Olá $first_name,\n\n$inviter convidou você para entrar em $company no Atiende.\n"
            "Para ativar sua conta e escolher sua senha, abra este link:\n\n$link\n\n"
            "O link vale 7 dias e pode ser usado uma única vez. Se expirar, peça a um "
            "administrador de $company para reenviar o convite.",
        ),
        "en": (
            "$inviter invited you to $company on Atiende",
            "Hello $first_name,\n\n$inviter invited you to join $company on Atiende.\n"
            "To activate your account and choose your password, open this link:\n\n$link\n\n"
            "The link is valid for 7 days and works once. If it expires, ask an "
            "administrator of $company to resend the invitation.",
        ),
    },
    "password_reset": {
        "es": (
            "Recupera tu contraseña de Atiende",
            "Hola $first_name:\n\nPediste cambiar tu contraseña de Atiende. Abre este enlace "
            "para elegir una nueva:\n\n$link\n\nEl enlace vale 1 hora y se puede usar una sola "
            "vez. Si no lo pediste tú, ignora este correo: tu contraseña sigue igual.",
        ),
        "pt": (
            "Recupere sua senha do Atiende",
            "Olá $first_name,\n\nVocê pediu para trocar sua senha do Atiende. Abra este link "
            "para escolher uma nova:\n\n$link\n\nO link vale 1 hora e pode ser usado uma única "
            "vez. Se não foi você, ignore este e-mail: sua senha continua a mesma.",
        ),
        "en": (
            "Reset your Atiende password",
            "Hello $first_name,\n\nYou asked to change your Atiende password. Open this link "
            "to choose a new one:\n\n$link\n\nThe link is valid for 1 hour and works once. If "
            "you did not ask for it, ignore this email: your password stays the same.",
        ),
    },
    "welcome": {
        "es": (
            "Bienvenido a Atiende, $company",
            "Hola $first_name:\n\n$company ya tiene su cuenta de Atiende, en el plan Free.\n"
            "Conecta tu primer canal e invita a tu equipo desde:\n\n$link\n\n¡Gracias por "
            "elegirnos!",
        ),
        "pt": (
            "Boas-vindas ao Atiende, $company",
            "Olá $first_name,\n\n$company já tem sua conta do Atiende, no plano Free.\n"
            "Conecte seu primeiro canal e convide sua equipe em:\n\n$link\n\nObrigado por "
            "escolher o Atiende!",
        ),
        "en": (
            "Welcome to Atiende, $company",
            "Hello $first_name,\n\n$company now has its Atiende account, on the Free plan.\n"
            "Connect your first channel and invite your team at:\n\n$link\n\nThank you for "
            "choosing Atiende!",
        ),
    },
}

_LAYOUT = (
    '<!doctype html><html><body style="font-family:Arial,sans-serif;color:#222;">'
    '<div style="max-width:560px;margin:auto;padding:24px;">$body</div></body></html>'
)


def render(
    name: str, locale: str, to: list[str], *, kind: str, tenant_id: str | None, **values: Any
) -> OutgoingEmail:
    """Fill a template; unknown locales fall back to Spanish, the product's first language."""
    variants = TEMPLATES[name]
    subject, text = variants.get(locale) or variants["es"]
    filled_text = Template(text).substitute(values)
    escaped = {k: html.escape(str(v)) for k, v in values.items()}
    paragraphs = Template(html.escape(text, quote=False)).substitute(escaped).split("\n\n")
    link = escaped.get("link")
    body = "".join(
        f'<p><a href="{link}">{link}</a></p>' if link and p.strip() == link else f"<p>{p}</p>"
        for p in (para.replace("\n", "<br>") for para in paragraphs)
    )
    return OutgoingEmail(
        to=to,
        subject=Template(subject).substitute(values),
        text=filled_text,
        html=Template(_LAYOUT).substitute(body=body),
        kind=kind,
        tenant_id=tenant_id,
    )
