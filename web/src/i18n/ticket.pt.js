// The ticket texts, pt: merged into the pt catalog by i18n.js.
export default {
  'ticket.title': 'Ticket #{number}',
};
