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
    # --- time-driven work (docs/sla.md) ---------------------------------------------------
    "sla_breach": {
        "es": (
            "Ticket #$number: venció el plazo de $what",
            "Hola $first_name:\n\nEl ticket #$number de $company no cumplió su plazo de "
            "$what (vencía el $due, hora de $timezone).\n\nÁbrelo aquí:\n\n$link\n\n"
            "Recibes este correo porque lo pediste en tus preferencias de notificaciones; "
            "puedes desactivarlo allí.",
        ),
        "pt": (
            "Ticket #$number: o prazo de $what venceu",
            "Olá $first_name,\n\nO ticket #$number de $company não cumpriu seu prazo de "
            "$what (vencia em $due, horário de $timezone).\n\nAbra-o aqui:\n\n$link\n\n"
            "Você recebe este e-mail porque pediu nas suas preferências de notificações; "
            "pode desativá-lo lá.",
        ),
        "en": (
            "Ticket #$number: the $what deadline passed",
            "Hello $first_name,\n\nTicket #$number of $company missed its $what deadline "
            "(due $due, $timezone time).\n\nOpen it here:\n\n$link\n\n"
            "You get this email because you asked for it in your notification settings; "
            "you can turn it off there.",
        ),
    },
    "channel_credentials_rejected": {
        "es": (
            "El canal “$channel” de $company dejó de funcionar: reconéctalo",
            "Hola:\n\nEl proveedor rechazó las credenciales del canal “$channel” "
            "($channel_type) de $company, así que Atiende no puede enviar ni leer sus "
            "mensajes.\nMotivo: $reason\n\nReconecta el canal con credenciales nuevas "
            "desde:\n\n$link\n\nRecibes este correo porque eres contacto de la cuenta "
            "con los avisos de canales activados.",
        ),
        "pt": (
            "O canal “$channel” de $company parou de funcionar: reconecte-o",
            "Olá,\n\nO provedor recusou as credenciais do canal “$channel” "
            "($channel_type) de $company, então o Atiende não consegue enviar nem ler suas "
            "mensagens.\nMotivo: $reason\n\nReconecte o canal com credenciais novas "
            "em:\n\n$link\n\nVocê recebe este e-mail porque é contato da conta com os "
            "avisos de canais ativados.",
        ),
        "en": (
            "The channel “$channel” of $company stopped working: reconnect it",
            "Hello,\n\nThe provider refused the credentials of the channel “$channel” "
            "($channel_type) of $company, so Atiende can neither send nor read its "
            "messages.\nReason: $reason\n\nReconnect the channel with new credentials "
            "at:\n\n$link\n\nYou get this email because you are an account contact "
            "with channel notices turned on.",
        ),
    },
    "channel_credentials_expiring": {
        "es": (
            "Las credenciales del canal “$channel” de $company vencen el $expires",
            "Hola:\n\nSegún el proveedor, las credenciales del canal “$channel” "
            "($channel_type) de $company vencen el $expires (hora de $timezone). Desde "
            "entonces Atiende no podrá enviar ni leer sus mensajes.\n\nAntes de esa fecha, "
            "genera un token nuevo y reemplaza las credenciales del canal en:\n\n$link\n\n"
            "Recibes este correo porque eres contacto de la cuenta con los avisos de "
            "canales activados.",
        ),
        "pt": (
            "As credenciais do canal “$channel” de $company vencem em $expires",
            "Olá,\n\nSegundo o provedor, as credenciais do canal “$channel” "
            "($channel_type) de $company vencem em $expires (horário de $timezone). A partir "
            "daí o Atiende não conseguirá enviar nem ler suas mensagens.\n\nAntes dessa "
            "data, gere um token novo e substitua as credenciais do canal em:\n\n$link\n\n"
            "Você recebe este e-mail porque é contato da conta com os avisos de canais "
            "ativados.",
        ),
        "en": (
            "The credentials of the channel “$channel” of $company expire on $expires",
            "Hello,\n\nAccording to the provider, the credentials of the channel “$channel” "
            "($channel_type) of $company expire on $expires ($timezone time). From then on "
            "Atiende can neither send nor read its messages.\n\nBefore that date, generate "
            "a new token and replace the channel's credentials at:\n\n$link\n\nYou get "
            "this email because you are an account contact with channel notices turned on.",
        ),
    },
    # --- billing (docs/billing.md "Events, invoices and dunning") ------------------------
    "billing_invoice_finalized": {
        "es": (
            "Factura $number de Atiende: $amount",
            "Hola:\n\nYa está disponible la factura $number de $company por $amount "
            "(período $period).\n$collection\n\nPuedes verla y descargarla aquí:\n\n$link\n\n"
            "Tus facturas también están en Atiende, en Facturación.\n\nRecibes este correo "
            "porque eres contacto de facturación de la cuenta.",
        ),
        "pt": (
            "Fatura $number do Atiende: $amount",
            "Olá,\n\nJá está disponível a fatura $number de $company no valor de $amount "
            "(período $period).\n$collection\n\nVocê pode vê-la e baixá-la aqui:\n\n$link\n\n"
            "Suas faturas também estão no Atiende, em Faturamento.\n\nVocê recebe este "
            "e-mail porque é contato de faturamento da conta.",
        ),
        "en": (
            "Atiende invoice $number: $amount",
            "Hello,\n\nInvoice $number of $company for $amount (period $period) is "
            "available.\n$collection\n\nView and download it here:\n\n$link\n\nYour "
            "invoices are also in Atiende, under Billing.\n\nYou get this email because "
            "you are a billing contact of the account.",
        ),
    },
    "billing_invoice_paid": {
        "es": (
            "Recibimos tu pago: factura $number de Atiende",
            "Hola:\n\nRecibimos el pago de $amount de la factura $number de $company "
            "(período $period). ¡Gracias!\n\nEl recibo y la factura están aquí:\n\n$link\n\n"
            "Recibes este correo porque eres contacto de facturación de la cuenta.",
        ),
        "pt": (
            "Recebemos seu pagamento: fatura $number do Atiende",
            "Olá,\n\nRecebemos o pagamento de $amount da fatura $number de $company "
            "(período $period). Obrigado!\n\nO recibo e a fatura estão aqui:\n\n$link\n\n"
            "Você recebe este e-mail porque é contato de faturamento da conta.",
        ),
        "en": (
            "Payment received: Atiende invoice $number",
            "Hello,\n\nWe received the payment of $amount for invoice $number of $company "
            "(period $period). Thank you!\n\nThe receipt and the invoice are here:\n\n"
            "$link\n\nYou get this email because you are a billing contact of the account.",
        ),
    },
    "billing_payment_failed": {
        "es": (
            "No pudimos cobrar la factura $number de Atiende",
            "Hola:\n\nNo pudimos cobrar $amount de la factura $number de $company con el "
            "medio de pago registrado (intento $attempt).\n$next_attempt\n\nPara que tu plan "
            "siga activo, actualiza la tarjeta en Atiende, en Facturación > Métodos de pago:"
            "\n\n$billing_link\n\no paga la factura directamente aquí:\n\n$link\n\n"
            "Recibes este correo porque eres contacto de facturación de la cuenta.",
        ),
        "pt": (
            "Não conseguimos cobrar a fatura $number do Atiende",
            "Olá,\n\nNão conseguimos cobrar $amount da fatura $number de $company com o "
            "meio de pagamento cadastrado (tentativa $attempt).\n$next_attempt\n\nPara que "
            "seu plano continue ativo, atualize o cartão no Atiende, em Faturamento > "
            "Métodos de pagamento:\n\n$billing_link\n\nou pague a fatura diretamente aqui:"
            "\n\n$link\n\nVocê recebe este e-mail porque é contato de faturamento da conta.",
        ),
        "en": (
            "We could not charge Atiende invoice $number",
            "Hello,\n\nWe could not charge $amount for invoice $number of $company to the "
            "payment method on file (attempt $attempt).\n$next_attempt\n\nTo keep your plan "
            "active, update the card in Atiende, under Billing > Payment methods:\n\n"
            "$billing_link\n\nor pay the invoice directly here:\n\n$link\n\nYou get this "
            "email because you are a billing contact of the account.",
        ),
    },
    "billing_downgraded": {
        "es": (
            "$company volvió al plan $plan: hay que quitar algunas cosas",
            "Hola:\n\nLa suscripción de $company terminó y la cuenta volvió al plan $plan. "
            "Hoy usa más de lo que ese plan permite:\n\n$removals\n\nHasta que lo "
            "quites, no podrás agregar más. También puedes contratar un plan otra vez en "
            "Facturación:\n\n$link\n\nRecibes este correo porque eres administrador o "
            "contacto de facturación de la cuenta.",
        ),
        "pt": (
            "$company voltou ao plano $plan: é preciso remover algumas coisas",
            "Olá,\n\nA assinatura de $company terminou e a conta voltou ao plano $plan. "
            "Hoje ela usa mais do que esse plano permite:\n\n$removals\n\nAté remover, "
            "não será possível adicionar mais. Você também pode contratar um plano de novo "
            "em Faturamento:\n\n$link\n\nVocê recebe este e-mail porque é administrador "
            "ou contato de faturamento da conta.",
        ),
        "en": (
            "$company is back on the $plan plan: some things must go",
            "Hello,\n\nThe subscription of $company ended and the account is back on the "
            "$plan plan. It now uses more than that plan allows:\n\n$removals\n\nUntil "
            "you remove them you cannot add more. You can also subscribe to a plan again in "
            "Billing:\n\n$link\n\nYou get this email because you are an administrator "
            "or a billing contact of the account.",
        ),
    },
}

#: the pieces of the billing emails that depend on the case (locale -> piece -> text)
BILLING_PHRASES: dict[str, dict[str, str]] = {
    "es": {
        "charge_automatically": "La cobraremos automáticamente al medio de pago registrado.",
        "send_invoice": "Vence el $due.",
        "next_attempt": "Volveremos a intentar el cobro el $date.",
        "no_next_attempt": "No habrá más intentos automáticos de cobro.",
        "users": "- Usuarios: usa $in_use y el plan permite $allowed. Elimina $remove.",
        "twitter_accounts": "- Cuentas de Twitter: usa $in_use y el plan permite $allowed. "
        "Desconecta $remove.",
        "whatsapp_numbers": "- Números de WhatsApp: usa $in_use y el plan permite $allowed. "
        "Desconecta $remove.",
    },
    "pt": {
        "charge_automatically": "Ela será cobrada automaticamente no meio de pagamento cadastrado.",
        "send_invoice": "Vence em $due.",
        "next_attempt": "Tentaremos cobrar novamente em $date.",
        "no_next_attempt": "Não haverá mais tentativas automáticas de cobrança.",
        "users": "- Usuários: usa $in_use e o plano permite $allowed. Exclua $remove.",
        "twitter_accounts": "- Contas do Twitter: usa $in_use e o plano permite $allowed. "
        "Desconecte $remove.",
        "whatsapp_numbers": "- Números de WhatsApp: usa $in_use e o plano permite $allowed. "
        "Desconecte $remove.",
    },
    "en": {
        "charge_automatically": "It will be charged automatically to the payment method on file.",
        "send_invoice": "It is due on $due.",
        "next_attempt": "We will try to charge it again on $date.",
        "no_next_attempt": "There will be no more automatic attempts to charge it.",
        "users": "- Users: $in_use in use, the plan allows $allowed. Delete $remove.",
        "twitter_accounts": "- Twitter accounts: $in_use connected, the plan allows "
        "$allowed. Disconnect $remove.",
        "whatsapp_numbers": "- WhatsApp numbers: $in_use connected, the plan allows "
        "$allowed. Disconnect $remove.",
    },
}


def billing_phrase(locale: str, piece: str, **values: Any) -> str:
    """One case-dependent piece of a billing email, in ``locale`` (Spanish by default)."""
    words = BILLING_PHRASES.get(locale) or BILLING_PHRASES["es"]
    return Template(words[piece]).safe_substitute(values)


def render_downgrade(
    locale: str, to: list[str], *, tenant_id: str, company: str, plan: str,
    over: list[dict[str, Any]], link: str,
) -> OutgoingEmail:  # fmt: skip
    """The email of a tenant back on Free using more than Free allows: one line per limit
    exceeded, saying how many to remove (users to delete, channels to disconnect)."""
    removals = "\n".join(
        billing_phrase(
            locale, str(o["limit"]), in_use=o["in_use"], allowed=o["allowed"], remove=o["remove"]
        )
        for o in over
        if str(o.get("limit")) in BILLING_PHRASES["es"]
    )
    return render("billing_downgraded", locale, to, kind="billing", tenant_id=tenant_id,
                  company=company, plan=plan, removals=removals, link=link)  # fmt: skip


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


# --- the escalation transcript (SPEC §4 "Escalate"; docs/helpdesk.md) -------------------------
#: locale -> piece -> text ($placeholders filled by ``render_escalation``)
ESCALATION: dict[str, dict[str, str]] = {
    "es": {
        "subject": "Ticket #$number de $client: $sender de $company te lo escala",
        "intro": "$sender, de $company, te escala el ticket #$number de $client "
        "(canal: $channel). Abajo están los mensajes que escribió el cliente.",
        "note": "Nota de $sender:",
        "transcript": "Últimos $count mensajes del cliente, del más antiguo al más reciente "
        "(hora de $timezone):",
        "empty": "El cliente no escribió mensajes en este ticket.",
        "omitted": "$omitted mensajes anteriores no se incluyen por su tamaño.",
        "attachment": "adjunto",
        "footer": "El ticket quedó escalado y en solo lectura: Atiende no guarda nada más de "
        "esta conversación. Si respondes a este correo, tu respuesta llega a $sender "
        "($reply_to).",
    },
    "pt": {
        "subject": "Ticket #$number de $client: $sender de $company o escala para você",
        "intro": "$sender, de $company, escala para você o ticket #$number de $client "
        "(canal: $channel). Abaixo estão as mensagens que o cliente escreveu.",
        "note": "Nota de $sender:",
        "transcript": "Últimas $count mensagens do cliente, da mais antiga à mais recente "
        "(horário de $timezone):",
        "empty": "O cliente não escreveu mensagens neste ticket.",
        "omitted": "$omitted mensagens anteriores não foram incluídas por causa do tamanho.",
        "attachment": "anexo",
        "footer": "O ticket foi escalado e ficou somente leitura: o Atiende não guarda mais "
        "nada desta conversa. Se você responder a este e-mail, a resposta chega a $sender "
        "($reply_to).",
    },
    "en": {
        "subject": "Ticket #$number from $client: $sender of $company escalates it to you",
        "intro": "$sender, of $company, escalates ticket #$number from $client to you "
        "(channel: $channel). Below are the messages the client wrote.",
        "note": "Note from $sender:",
        "transcript": "The client's last $count messages, oldest first ($timezone time):",
        "empty": "The client wrote no messages in this ticket.",
        "omitted": "$omitted earlier messages are left out because of their size.",
        "attachment": "attachment",
        "footer": "The ticket is now escalated and read-only: Atiende keeps nothing more of "
        "this conversation. If you reply to this email, your answer reaches $sender "
        "($reply_to).",
    },
}


def render_escalation(
    locale: str,
    to: str,
    *,
    tenant_id: str,
    values: dict[str, Any],
    note: str | None,
    entries: list[tuple[str, str, list[str]]],
    omitted: int,
    reply_to: str | None,
) -> OutgoingEmail:
    """The transcript email of an escalated ticket: the note on top, then the client's
    messages ``(time, text, attachment names)`` oldest first. ``values`` fills the
    placeholders (number, client, channel, sender, company, timezone); unknown locales
    fall back to Spanish."""
    words = ESCALATION.get(locale) or ESCALATION["es"]
    filled = {**values, "count": len(entries), "omitted": omitted, "reply_to": reply_to or "-"}

    def say(piece: str) -> str:
        return Template(words[piece]).safe_substitute(filled)

    def text_of(body: str, attachments: list[str]) -> str:
        extra = [f"({words['attachment']}: {name})" for name in attachments]
        return "\n".join(part for part in [body, *extra] if part)

    text = [say("intro")]
    if note:
        text.append(f"{say('note')}\n{note}")
    text.append(say("transcript") if entries else say("empty"))
    text.extend(f"[{at}]\n{text_of(body, files)}" for at, body, files in entries)
    if omitted:
        text.append(say("omitted"))
    text.append(say("footer"))

    esc = html.escape
    parts = [f"<p>{esc(say('intro'))}</p>"]
    if note:
        parts.append(
            '<div style="border-left:4px solid #f0a500;background:#fff8e6;padding:8px 12px;'
            f'margin:16px 0;"><strong>{esc(say("note"))}</strong>'
            f'<div style="white-space:pre-wrap;">{esc(note)}</div></div>'
        )
    parts.append(f"<p><strong>{esc(say('transcript') if entries else say('empty'))}</strong></p>")
    for at, body, files in entries:
        parts.append(
            '<div style="border-top:1px solid #ddd;padding:8px 0;">'
            f'<div style="color:#777;font-size:12px;">{esc(at)}</div>'
            f'<div style="white-space:pre-wrap;">{esc(text_of(body, files))}</div></div>'
        )
    if omitted:
        parts.append(f'<p style="color:#777;">{esc(say("omitted"))}</p>')
    parts.append(f'<p style="color:#777;font-size:12px;">{esc(say("footer"))}</p>')
    return OutgoingEmail(
        to=[to],
        subject=say("subject"),
        text="\n\n".join(text),
        html=Template(_LAYOUT).substitute(body="".join(parts)),
        kind="escalation",
        tenant_id=tenant_id,
        reply_to=reply_to,
    )
