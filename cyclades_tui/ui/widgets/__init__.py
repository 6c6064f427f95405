"""Small reusable widgets and modal dialogs."""
