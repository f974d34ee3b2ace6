import { handlers } from "../../../lib/entrance";

// Sign-in, the callback, sign-out, front-channel logout and the popup script.
export const { GET, POST } = handlers;
