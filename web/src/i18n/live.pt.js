// The live texts, pt: merged into the pt catalog by i18n.js.
export default {
  'live.addedOne': 'Nova conversa em «{name}»',
  'live.addedMany': '{n} conversas novas em «{name}»',
  'live.newOne': '1 conversa nova',
  'live.newMany': '{n} conversas novas',
};
