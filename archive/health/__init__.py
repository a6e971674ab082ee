"""Is everything the archive needs answering? `services.check_all` asks; `views` serves /healthz."""
