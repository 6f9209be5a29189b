// Texts of the console's admin-account area (pt).
export default {
};
