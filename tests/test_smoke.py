def test_monitor_create_and_list(admin):
    response = admin.post(
        "/api/monitors",
        {
            "name": "API Health Check",
            "type": "http",
            "url": "https://api.example.com/health",
            "interval": 60,
            "timeout": 10,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    listing = admin.get("/api/monitors")
    assert listing.json()["pagination"]["total"] == 1
