// The live texts, en: merged into the en catalog by i18n.js.
export default {
  'live.addedOne': 'New conversation in “{name}”',
  'live.addedMany': '{n} new conversations in “{name}”',
  'live.newOne': '1 new conversation',
  'live.newMany': '{n} new conversations',
};
