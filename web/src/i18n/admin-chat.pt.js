// Texts of the console's admin-chat area (pt).
export default {
};
