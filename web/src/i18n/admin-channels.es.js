// Texts of the console's admin-channels area (es).
export default {
};
