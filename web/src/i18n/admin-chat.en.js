// Texts of the console's admin-chat area (en).
export default {
};
