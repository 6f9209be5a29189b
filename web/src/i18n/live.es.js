// The live texts, es: merged into the es catalog by i18n.js.
export default {
  'live.addedOne': 'Nueva conversación en «{name}»',
  'live.addedMany': '{n} conversaciones nuevas en «{name}»',
  'live.newOne': '1 conversación nueva',
  'live.newMany': '{n} conversaciones nuevas',
};
