// Texts of the console's admin-account area (en).
export default {
};
