// Texts of the console's admin-account area (es).
export default {
};
