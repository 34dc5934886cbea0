// One message translated, one forgotten.
const char* Hello() { return _("hello"); }
const char* Bye() { return _("see you on Saturday"); }
