// Texts of the console's admin-channels area (pt).
export default {
};
