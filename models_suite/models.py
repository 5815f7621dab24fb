# Models arrive with this app's issue; the app exists so migrations, admin and routes have a home.
