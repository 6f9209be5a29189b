// A part of the channel's settings (SLA, business hours, auto-replies): a card with its own
// draft, "unsaved changes", its errors next to the controls, and its own "Guardar".
import { useSignal } from '@preact/signals';
import { api } from '../../api.js';
import { errorText } from '../../errors.js';
import { html } from '../../html.js';
import { t } from '../../i18n.js';
import { tell } from '../../notice.js';
import { Alert, Button } from '../../ui.js';
import { Section } from '../kit.js';

export { useLoad } from '../kit.js';

/** A field's message in the person's language, from one of pydantic's problems. */
export function problemText(problem) {
  const msg = String(problem.msg || '');
  const number = msg.match(/-?\d+(\.\d+)?/)?.[0];
  if (problem.type === 'greater_than_equal' || problem.type === 'greater_than') return t('settings.error.min', { n: number });
  if (problem.type === 'less_than_equal' || problem.type === 'less_than') return t('settings.error.max', { n: number });
  if (problem.type === 'int_parsing' || problem.type === 'int_type' || problem.type === 'int_from_float') return t('settings.sla.whole');
  if (problem.type === 'string_too_long') return t('settings.error.tooLong');
  if (problem.type === 'too_long') return t('settings.error.tooMany');
  if (/timezone/.test(msg)) return t('settings.error.timezone');
  if (/overlap/.test(msg)) return t('settings.hours.overlap');
  if (/range of HH:MM/.test(msg)) return t('settings.hours.badRange');
  if (problem.type === 'date_from_datetime_parsing' || problem.type === 'date_parsing') return t('settings.error.date');
  return msg.replace(/^Value error, /, '');
}

/** ``{'<path after the part>': message}`` from a 400's details: ``loc`` is
 * [``body.settings``, part, ...path] (or [``body``, field] for the name). */
export function problemsOf(error, part) {
  const found = {};
  for (const problem of Array.isArray(error?.details) ? error.details : []) {
    const loc = (Array.isArray(problem.loc) ? problem.loc : []).map(String);
    while (loc.length && ['body', 'body.settings', 'settings'].includes(loc[0])) loc.shift();
    if (part && loc[0] === part) loc.shift();
    // a weekday's range is shown at its day: weekly.mon.0.1 -> weekly.mon
    const key = loc[0] === 'weekly' ? loc.slice(0, 2).join('.') : loc.filter((bit) => !/^\d+$/.test(bit) || loc[0] === 'holidays').join('.');
    const text = problemText(problem);
    found[key || '_'] = found[key || '_'] ? `${found[key || '_']} ${text}` : text;
  }
  return found;
}

/** JSON with sorted keys: two drafts that say the same compare equal. */
export function stable(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

/** The state of one part: its draft (from ``toDraft(settings[section])``), what was saved
 * (to tell unsaved changes), its field errors, and save(). */
export function usePart(channel, section, toDraft) {
  const saved = useSignal(null);
  saved.value ??= stable(toDraft(channel.settings[section]));
  const draft = useSignal(null);
  draft.value ??= JSON.parse(saved.value);
  const errors = useSignal({});
  const problem = useSignal(null);
  const busy = useSignal(false);
  const dirty = stable(draft.value) !== saved.value;
  return {
    draft,
    errors,
    problem,
    busy,
    dirty,
    /** Changes the draft; the error of ``field`` (if any) goes. */
    set(patch, field) {
      draft.value = { ...draft.value, ...patch };
      if (field && errors.value[field]) errors.value = { ...errors.value, [field]: undefined };
    },
    reset() {
      draft.value = JSON.parse(saved.value);
      errors.value = {};
      problem.value = null;
    },
    /** Checks the draft (``check()``: {field: message}), then PATCHes ``toBody()``. */
    async save(check, toBody, onSaved, message) {
      problem.value = null;
      const found = check();
      if (Object.values(found).some(Boolean)) {
        errors.value = found;
        problem.value = t('settings.fix');
        return;
      }
      errors.value = {};
      busy.value = true;
      try {
        const changed = await api('PATCH', `/v1/channels/${channel.id}`, { settings: { [section]: toBody() } });
        saved.value = stable(toDraft(changed.settings[section]));
        draft.value = JSON.parse(saved.value);
        onSaved(changed);
        tell(message);
      } catch (failure) {
        const fields = problemsOf(failure, section);
        errors.value = fields;
        problem.value = Object.keys(fields).length ? t('settings.fix') : errorText(failure);
      } finally {
        busy.value = false;
      }
    },
  };
}

/** The card of a part, with its unsaved-changes line and its buttons. */
export function Part({ id, title, text, part, onSave, readOnly, children }) {
  const submit = (event) => {
    event.preventDefault();
    onSave();
  };
  return html`<${Section} id=${id} title=${title} actions=${part.dirty && html`<span class="chdirty" role="status">${t('settings.unsaved')}</span>`}>
    <form class="chform" onSubmit=${submit} noValidate>
      ${text && html`<p class="chpart__text">${text}</p>`}
      ${part.problem.value && html`<${Alert}>${part.problem.value}${part.errors.value._ ? ` ${part.errors.value._}` : ''}</${Alert}>`}
      <fieldset class="chform__fields" disabled=${readOnly}>${children}</fieldset>
      ${!readOnly &&
      html`<div class="chform__actions">
        ${part.dirty && html`<button type="button" class="button button--secondary" onClick=${part.reset}>${t('settings.discard')}</button>`}
        <${Button} busy=${part.busy.value} busyLabel=${t('settings.saving')} disabled=${!part.dirty || part.busy.value}>
          ${t('settings.save')}<span class="visually-hidden"> ${title}</span>
        </${Button}>
      </div>`}
    </form>
  </${Section}>`;
}
