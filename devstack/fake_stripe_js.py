"""The Stripe.js stand-in the fake Stripe serves at ``/v3/`` (devstack/fake_stripe.py).

It implements the part of Stripe.js the console uses, with the real API's shape::

    const stripe = Stripe(publishableKey, { locale });
    const elements = stripe.elements({ clientSecret, locale });
    const payment = elements.create('payment');
    payment.mount(domElementOrSelector);     // <iframe title="Secure payment input frame">
    payment.on('ready' | 'change' | 'focus' | 'blur', handler);  // change: {complete, empty}
    const { error } = await elements.submit();  // validation only
    const { error, setupIntent } = await stripe.confirmSetup({ elements, redirect: 'if_required' });
    payment.destroy();

The card is typed in an iframe served by the fake (three labelled inputs: "Card number",
"Expiration date (MM / YY)", "Security code") and never reaches the page: the page and
the frame talk only with ``postMessage``, each checking the other's origin and window.
On ``confirmSetup`` the frame calls ``POST /v1/setup_intents/{id}/confirm`` with the
publishable key and the client secret, and posts the result back. No dependencies, no
eval, no inline script or style (it works under a CSP ``script-src 'self' <fake>``,
``frame-src <fake>``). A stand-in for local use only.
"""

from __future__ import annotations

STRIPE_JS = r"""/* Stripe.js stand-in of the fake Stripe (devstack/fake_stripe_js.py): local use only. */
(function () {
  'use strict';
  var ORIGIN = '__ORIGIN__';
  if (window.Stripe && window.Stripe.isFake) { return; }
  var seq = 0;

  function integrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  function Stripe(key, options) {
    if (!(this instanceof Stripe)) { return new Stripe(key, options); }
    if (typeof key !== 'string' || key.indexOf('pk_') !== 0) {
      throw integrationError('Invalid value for Stripe(): apiKey should be a publishable key (pk_...). You specified: ' + key + '.');
    }
    this._key = key;
    this._locale = (options && options.locale) || 'auto';
  }
  Stripe.isFake = true;
  Stripe.version = 3;

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options || {});
  };

  function elementOf(elements) {
    return elements && (elements.getElement('payment') || elements.getElement('card'));
  }

  Stripe.prototype.confirmSetup = function (options) {
    options = options || {};
    var elements = options.elements;
    if (!elements || !(elements instanceof Elements)) {
      return Promise.reject(integrationError('stripe.confirmSetup(): the `elements` argument is required.'));
    }
    var redirect = options.redirect || 'always';
    var returnUrl = options.confirmParams && options.confirmParams.return_url;
    if (redirect !== 'if_required' && !returnUrl) {
      return Promise.reject(integrationError("stripe.confirmSetup(): the `confirmParams.return_url` argument is required unless passing `redirect: 'if_required'`"));
    }
    var element = elementOf(elements);
    if (!element || !element._frame) {
      return Promise.resolve({ error: { type: 'invalid_request_error', code: 'element_not_mounted',
        message: 'The Payment Element is not mounted.' } });
    }
    var clientSecret = options.clientSecret || elements._options.clientSecret;
    return element._ask('confirm', { clientSecret: clientSecret }).then(function (answer) {
      if (answer.error) { return { error: answer.error }; }
      if (redirect !== 'if_required') {
        var url = new URL(returnUrl, window.location.href);
        url.searchParams.set('setup_intent', answer.setupIntent.id);
        url.searchParams.set('setup_intent_client_secret', answer.setupIntent.client_secret);
        url.searchParams.set('redirect_status', 'succeeded');
        window.location.assign(url.toString());
        return new Promise(function () {});
      }
      return { setupIntent: answer.setupIntent };
    });
  };

  Stripe.prototype.retrieveSetupIntent = function (clientSecret) {
    var id = String(clientSecret || '').split('_secret_')[0];
    return fetch(ORIGIN + '/v1/setup_intents/' + encodeURIComponent(id) + '?client_secret=' +
                 encodeURIComponent(clientSecret), { headers: { Authorization: 'Bearer ' + this._key } })
      .then(function (response) { return response.json(); })
      .then(function (body) { return body.error ? { error: body.error } : { setupIntent: body }; });
  };

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options;
    this._elements = {};
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'payment' && type !== 'card') {
      throw integrationError('This stand-in of Stripe.js only creates the payment (or card) Element, not ' + type + '.');
    }
    if (this._elements[type]) {
      throw integrationError('Can only create one Element of type ' + type + '.');
    }
    var element = new PaymentElement(this, type, options || {});
    this._elements[type] = element;
    return element;
  };
  Elements.prototype.getElement = function (type) { return this._elements[type] || null; };
  Elements.prototype.update = function (options) {
    for (var name in options) { this._options[name] = options[name]; }
  };
  Elements.prototype.fetchUpdates = function () { return Promise.resolve({}); };
  Elements.prototype.submit = function () {
    var element = elementOf(this);
    if (!element || !element._frame) {
      return Promise.resolve({ error: { type: 'invalid_request_error', message: 'The Payment Element is not mounted.' } });
    }
    return element._ask('validate', {}).then(function (answer) {
      return answer.error ? { error: answer.error } : {};
    });
  };

  function PaymentElement(elements, type, options) {
    this._elements = elements;
    this._type = type;
    this._options = options;
    this._handlers = {};
    this._frame = null;
    this._ready = false;
    this._waiting = [];
    this._replies = {};
    this._onMessage = this._onMessage.bind(this);
  }

  PaymentElement.prototype.mount = function (target) {
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node) {
      throw integrationError('The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.');
    }
    if (this._frame) { throw integrationError('This Element is already mounted.'); }
    this._id = 'fake-stripe-frame-' + (++seq);
    var stripe = this._elements._stripe;
    var params = new URLSearchParams({
      key: stripe._key,
      client_secret: this._elements._options.clientSecret || '',
      locale: this._elements._options.locale || stripe._locale,
      origin: window.location.origin,
      id: this._id
    });
    var frame = document.createElement('iframe');
    frame.src = ORIGIN + '/v3/elements-frame.html#' + params.toString();
    frame.title = 'Secure payment input frame';
    frame.name = this._id;
    frame.setAttribute('frameborder', '0');
    frame.setAttribute('allowtransparency', 'true');
    frame.setAttribute('scrolling', 'no');
    frame.style.border = 'none';
    frame.style.width = '100%';
    frame.style.height = '240px';
    frame.style.display = 'block';
    frame.style.colorScheme = 'normal';
    var wrapper = document.createElement('div');
    wrapper.className = '__PrivateStripeElement';
    wrapper.appendChild(frame);
    node.appendChild(wrapper);
    this._wrapper = wrapper;
    this._frame = frame;
    window.addEventListener('message', this._onMessage);
  };

  PaymentElement.prototype._onMessage = function (event) {
    if (!this._frame || event.origin !== ORIGIN || event.source !== this._frame.contentWindow) { return; }
    var data = event.data || {};
    if (data.source !== 'fake-stripe' || data.frame !== this._id) { return; }
    if (data.type === 'ready') {
      this._ready = true;
      var waiting = this._waiting;
      this._waiting = [];
      for (var i = 0; i < waiting.length; i++) { this._send(waiting[i]); }
      this._emit('ready', { elementType: this._type });
    } else if (data.type === 'change') {
      this._emit('change', { elementType: this._type, complete: !!data.complete, empty: !!data.empty,
                             collapsed: false, value: { type: 'card' } });
    } else if (data.type === 'focus' || data.type === 'blur') {
      this._emit(data.type, { elementType: this._type });
    } else if (data.type === 'height' && data.height > 0) {
      this._frame.style.height = Math.ceil(data.height) + 'px';
    } else if (data.type === 'answer' && this._replies[data.reply]) {
      var resolve = this._replies[data.reply];
      delete this._replies[data.reply];
      resolve(data.answer || {});
    }
  };

  PaymentElement.prototype._send = function (message) {
    message.source = 'fake-stripe';
    this._frame.contentWindow.postMessage(message, ORIGIN);
  };

  PaymentElement.prototype._ask = function (type, payload) {
    var self = this;
    return new Promise(function (resolve) {
      var reply = ++seq;
      self._replies[reply] = resolve;
      var message = { type: type, reply: reply, payload: payload };
      if (self._ready) { self._send(message); } else { self._waiting.push(message); }
    });
  };

  PaymentElement.prototype._emit = function (name, event) {
    var handlers = (this._handlers[name] || []).slice();
    for (var i = 0; i < handlers.length; i++) { handlers[i](event); }
  };

  PaymentElement.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push(handler);
    return this;
  };
  PaymentElement.prototype.once = function (name, handler) {
    var self = this;
    function once(event) { self.off(name, once); handler(event); }
    return this.on(name, once);
  };
  PaymentElement.prototype.off = function (name, handler) {
    if (!handler) { delete this._handlers[name]; return this; }
    this._handlers[name] = (this._handlers[name] || []).filter(function (h) { return h !== handler; });
    return this;
  };
  PaymentElement.prototype.update = function (options) {
    for (var name in options) { this._options[name] = options[name]; }
  };
  PaymentElement.prototype.focus = function () { if (this._ready) { this._send({ type: 'focus' }); } };
  PaymentElement.prototype.blur = function () { if (this._ready) { this._send({ type: 'blur' }); } };
  PaymentElement.prototype.clear = function () { if (this._ready) { this._send({ type: 'clear' }); } };
  PaymentElement.prototype.collapse = function () {};
  PaymentElement.prototype.unmount = function () {
    window.removeEventListener('message', this._onMessage);
    if (this._wrapper && this._wrapper.parentNode) { this._wrapper.parentNode.removeChild(this._wrapper); }
    this._frame = null;
    this._wrapper = null;
    this._ready = false;
  };
  PaymentElement.prototype.destroy = function () {
    this.unmount();
    this._handlers = {};
    if (this._elements._elements[this._type] === this) { delete this._elements._elements[this._type]; }
  };

  window.Stripe = Stripe;
})();
"""

FRAME_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Secure payment input frame</title>
<link rel="stylesheet" href="/v3/elements-frame.css">
<script src="/v3/elements-frame.js" defer></script>
</head>
<body>
<form id="card" novalidate autocomplete="on">
  <div class="field">
    <label for="number">Card number</label>
    <input id="number" name="cardnumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234">
  </div>
  <div class="row">
    <div class="field">
      <label for="expiry">Expiration date (MM / YY)</label>
      <input id="expiry" name="exp-date" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY">
    </div>
    <div class="field">
      <label for="cvc">Security code</label>
      <input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC">
    </div>
  </div>
  <p id="error" class="error" role="alert"></p>
  <p class="note">Test mode: a stand-in for Stripe, for local use only.</p>
</form>
</body>
</html>
"""

FRAME_CSS = """html, body { margin: 0; padding: 0; background: transparent; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #30313d; }
form { padding: 2px; }
.field { display: flex; flex-direction: column; margin-bottom: 10px; flex: 1; }
.row { display: flex; gap: 10px; }
label { margin-bottom: 4px; font-size: 13px; }
input { font: inherit; padding: 9px 10px; border: 1px solid #d9dde3; border-radius: 6px; }
input:focus { outline: 2px solid #0570de55; border-color: #0570de; }
input[aria-invalid="true"] { border-color: #df1b41; }
.error { color: #df1b41; min-height: 1.2em; margin: 0 0 4px; font-size: 13px; }
.note { color: #6d6e78; font-size: 12px; margin: 0; }
"""

FRAME_JS = r"""/* The card frame of the Stripe.js stand-in (devstack/fake_stripe_js.py): local use only. */
(function () {
  'use strict';
  var params = new URLSearchParams(window.location.hash.slice(1));
  var key = params.get('key') || '';
  var secret = params.get('client_secret') || '';
  var parentOrigin = params.get('origin') || '';
  var frameId = params.get('id') || '';
  var number = document.getElementById('number');
  var expiry = document.getElementById('expiry');
  var cvc = document.getElementById('cvc');
  var errorBox = document.getElementById('error');
  var busy = false;

  function post(message) {
    message.source = 'fake-stripe';
    message.frame = frameId;
    window.parent.postMessage(message, parentOrigin);
  }

  function digits(value) { return String(value || '').replace(/\D/g, ''); }

  function luhn(value) {
    var total = 0;
    for (var i = 0; i < value.length; i++) {
      var n = parseInt(value.charAt(value.length - 1 - i), 10);
      if (i % 2) { n = n * 2; if (n > 9) { n -= 9; } }
      total += n;
    }
    return total % 10 === 0;
  }

  function read() {
    var n = digits(number.value);
    var e = digits(expiry.value);
    var c = digits(cvc.value);
    var month = parseInt(e.slice(0, 2), 10);
    var year = e.length === 4 ? 2000 + parseInt(e.slice(2), 10) : (e.length === 6 ? parseInt(e.slice(2), 10) : NaN);
    return { number: n, month: month, year: year, expiry: e, cvc: c };
  }

  function problem() {
    var card = read();
    var now = new Date();
    if (card.number.length < 13) { return ['incomplete_number', 'Your card number is incomplete.', number]; }
    if (!luhn(card.number)) { return ['invalid_number', 'Your card number is invalid.', number]; }
    if (isNaN(card.year) || isNaN(card.month)) { return ['incomplete_expiry', "Your card's expiration date is incomplete.", expiry]; }
    if (card.month < 1 || card.month > 12) { return ['invalid_expiry_month', "Your card's expiration date is invalid.", expiry]; }
    if (card.year < now.getFullYear() || (card.year === now.getFullYear() && card.month < now.getMonth() + 1)) {
      return ['invalid_expiry_year_past', "Your card's expiration year is in the past.", expiry];
    }
    if (card.cvc.length < 3 || card.cvc.length > 4) { return ['incomplete_cvc', "Your card's security code is incomplete.", cvc]; }
    return null;
  }

  function show(found) {
    [number, expiry, cvc].forEach(function (input) { input.removeAttribute('aria-invalid'); });
    errorBox.textContent = found ? found[1] : '';
    if (found) { found[2].setAttribute('aria-invalid', 'true'); }
  }

  function changed() {
    var card = read();
    post({ type: 'change', complete: problem() === null,
           empty: !card.number && !card.expiry && !card.cvc });
    if (errorBox.textContent) { show(problem()); }
  }

  function validationError(found) {
    return { type: 'validation_error', code: found[0], message: found[1] };
  }

  function confirm(clientSecret) {
    var found = problem();
    show(found);
    if (found) { return Promise.resolve({ error: validationError(found) }); }
    if (busy) { return Promise.resolve({ error: { type: 'invalid_request_error', message: 'A confirmation is already under way.' } }); }
    busy = true;
    var card = read();
    var clientSecretUsed = clientSecret || secret;
    var intent = clientSecretUsed.split('_secret_')[0];
    var body = new URLSearchParams({
      client_secret: clientSecretUsed,
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': card.number,
      'payment_method_data[card][exp_month]': String(card.month),
      'payment_method_data[card][exp_year]': String(card.year),
      'payment_method_data[card][cvc]': card.cvc
    });
    return fetch('/v1/setup_intents/' + encodeURIComponent(intent) + '/confirm', {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + key, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString()
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      busy = false;
      if (answer.error) {
        errorBox.textContent = answer.error.message || '';
        return { error: answer.error };
      }
      return { setupIntent: {
        id: answer.id, object: 'setup_intent', cancellation_reason: answer.cancellation_reason,
        client_secret: answer.client_secret, created: answer.created, description: answer.description,
        last_setup_error: answer.last_setup_error, livemode: answer.livemode, next_action: answer.next_action,
        payment_method: answer.payment_method, payment_method_types: answer.payment_method_types,
        status: answer.status, usage: answer.usage } };
    }, function () {
      busy = false;
      return { error: { type: 'api_connection_error', message: 'We could not reach Stripe. Try again in a moment.' } };
    });
  }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) { return; }
    var data = event.data || {};
    if (data.source !== 'fake-stripe') { return; }
    function answer(result) { post({ type: 'answer', reply: data.reply, answer: result }); }
    if (data.type === 'confirm') {
      confirm(data.payload && data.payload.clientSecret).then(answer);
    } else if (data.type === 'validate') {
      var found = problem();
      show(found);
      answer(found ? { error: validationError(found) } : {});
    } else if (data.type === 'focus') {
      number.focus();
    } else if (data.type === 'blur') {
      if (document.activeElement) { document.activeElement.blur(); }
    } else if (data.type === 'clear') {
      number.value = expiry.value = cvc.value = '';
      show(null);
      changed();
    }
  });

  [number, expiry, cvc].forEach(function (input) {
    input.addEventListener('input', changed);
    input.addEventListener('focus', function () { post({ type: 'focus' }); });
    input.addEventListener('blur', function () { post({ type: 'blur' }); });
  });
  document.getElementById('card').addEventListener('submit', function (event) { event.preventDefault(); });

  function height() { post({ type: 'height', height: document.documentElement.scrollHeight }); }
  if (window.ResizeObserver) { new ResizeObserver(height).observe(document.body); }
  post({ type: 'ready' });
  height();
})();
"""

#: the frame's own policy: its script and style are files of this origin, nothing inline
FRAME_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; frame-ancestors *"
)


def asset(path: str, origin: str) -> tuple[str, bytes, dict[str, str]] | None:
    """(content type, body, extra headers) of a ``/v3/…`` path, or None."""
    if path in ("/v3", "/v3/", "/v3/stripe.js"):
        return ("application/javascript; charset=utf-8",
                STRIPE_JS.replace("__ORIGIN__", origin).encode(), {})  # fmt: skip
    if path == "/v3/elements-frame.html":
        return "text/html; charset=utf-8", FRAME_HTML.encode(), {"Content-Security-Policy": FRAME_CSP}  # fmt: skip
    if path == "/v3/elements-frame.js":
        return "application/javascript; charset=utf-8", FRAME_JS.encode(), {}
    if path == "/v3/elements-frame.css":
        return "text/css; charset=utf-8", FRAME_CSS.encode(), {}
    return None
