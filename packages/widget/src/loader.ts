import { defineAvatarChat } from "./element";
import { connectRealtime } from "./realtime";

// The script-tag entry (dist/avatar-chat.js). Without an `api` attribute the API is the origin
// this script was served from, so `<script src="https://api.example/widget/avatar-chat.js">` just works.
defineAvatarChat({ defaultApi: new URL(import.meta.url).origin, connectRealtime });
