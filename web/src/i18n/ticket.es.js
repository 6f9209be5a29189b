// The ticket texts, es: merged into the es catalog by i18n.js.
export default {
  'ticket.title': 'Ticket #{number}',
};
