// Texts of the console's admin-chat area (es).
export default {
};
