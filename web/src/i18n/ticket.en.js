// The ticket texts, en: merged into the en catalog by i18n.js.
export default {
  'ticket.title': 'Ticket #{number}',
};
