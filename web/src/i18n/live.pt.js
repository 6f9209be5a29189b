// The live texts, pt: merged into the pt catalog by i18n.js.
export default {};
