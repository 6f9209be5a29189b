// The header texts, es: merged into the es catalog by i18n.js.
export default {};
