// The header texts, en: merged into the en catalog by i18n.js.
export default {};
