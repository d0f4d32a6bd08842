/**
 * The English message catalogue: the source of every user-visible string in the UI
 * (error sentences live in src/core/errors.ts, with their translations beside this
 * file). Other languages are typed `Catalogue`: the same keys, so a missing or an
 * unknown key is a type error.
 *
 * - `{name}` is a placeholder, filled by `t(key, { name })`; the parameters are typed
 *   from the English text, so a missing one is a type error too.
 * - Keys ending in `.one` / `.other` (and optionally `.zero`, `.two`, `.few`, `.many`)
 *   are plural forms, picked by `tPlural(base, count)` with Intl.PluralRules; `.other`
 *   is required.
 * - Brand names and language names are not translated (see LANGUAGE_NAMES in i18n.ts).
 */
export const en = {
  // App shell and header (duet-app)
  'app.name': 'Duet',
  'app.tagline': 'Private, end-to-end encrypted chat for two. Peer to peer, nothing stored.',
  'app.language': 'Language',
  'app.theme.system': 'Theme: system',
  'app.theme.light': 'Theme: light',
  'app.theme.dark': 'Theme: dark',
  'app.sound.on': 'Sound on',
  'app.sound.off': 'Sound off',
  'app.notify.offer': 'Want to know when a message arrives while this tab is in the background?',
  'app.notify.button': 'Notify me',
  'app.leave': 'Leave',
  'app.newConversation': 'New conversation',

  // When the page cannot run Duet at all (main.ts)
  'fatal.title': 'Duet cannot start here',
  'fatal.insecure':
    'This page was opened as {origin}. Use https:// (see the README for a local certificate) or open it on this computer as http://localhost.',
  'fatal.crypto': 'Update your browser to a current version.',
  'fatal.webrtc': 'Use a current version of Chrome, Edge, Firefox or Safari, with WebRTC enabled.',

  // Lobby (duet-lobby)
  'lobby.name': 'Your name',
  'lobby.remember': 'Remember me on this device',
  'lobby.rememberHint':
    'Keeps a device key (never leaves this browser) so people you talk to again recognise you, and you them.',
  'lobby.remembered': 'This device is remembered (key {fingerprint}).',
  'lobby.forget': 'Forget this device',
  'lobby.hideAddress': 'Hide my IP address from my peer',
  'lobby.hideAddressHint': 'Your messages then go through the server’s relay, still end-to-end encrypted: your peer sees only the relay’s address.',
  'lobby.hideAddressUnavailable': 'This Duet server offers no relay (TURN) server, so your IP address cannot be hidden from your peer.',
  'lobby.invited': 'You were invited to a private Duet conversation.',
  'lobby.join': 'Join',
  'lobby.create': 'Create room',
  'lobby.or': 'or join one',
  'lobby.code': 'Room code',
  'lobby.codePlaceholder': 'Link, or a code like 7-tiger-ocean',

  // Invite (duet-invite)
  'invite.title': 'Invite one person',
  'invite.hint': 'Send this link, or let them scan the code. Anyone with the link can join, so share it privately.',
  /** The link's accessible name starts with what it shows (axe: label-content-name-mismatch) after saying what it is. */
  'invite.linkName': 'Room link: {link}',
  'invite.code': 'Room code',
  'invite.shortCode': 'Or read this short code aloud',
  'invite.shortCodeHint': 'It lets one person in, once: someone who gets it wrong spends it, and you can get a new one.',
  'invite.getShortCode': 'Get a short code',
  'invite.getShortCodeHint': 'A few words to read aloud, instead of sending the link.',
  'invite.shortCodeAsking': 'Getting a short code…',
  'invite.copy': 'Copy link',
  'invite.copied': 'Link copied.',
  'invite.copyFailed': 'Copying failed: select the link and copy it by hand.',
  'invite.qr': 'Room QR code',
  'invite.qrMaking': 'Making the QR code…',

  // Who the other person is, when their name is not known yet
  'peer.fallback': 'your peer',
  'peer.fallbackStart': 'Your peer',

  // Connection status (status-text.ts, duet-status)
  'status.lobby': 'Not connected',
  'status.opening': 'Opening the room…',
  'status.waiting': 'Waiting for your peer to join…',
  'status.connecting': 'Connecting to your peer…',
  'status.securing': 'Securing the connection…',
  'status.reconnecting': 'Reconnecting to {name}… ({reason}) Messages you write now are sent once reconnected.',
  'status.secure': 'Secure: end-to-end encrypted with {name}',
  'status.peerLeft': '{name} left',
  'status.youLeft': 'You left the conversation',
  'status.dismiss': 'Dismiss warning',
  'status.route.direct': 'Direct',
  'status.route.relayed': 'Relayed',

  // Conversation (duet-chat)
  'chat.safetyCode': 'Safety code',
  'chat.safetyHint': 'Compare it with {name} by voice or in person. If it matches, nobody is in the middle.',
  'chat.verified': '✓ Verified: you confirmed the codes match',
  'chat.markVerified': 'Mark as verified',
  'chat.messages': 'Messages',
  'chat.empty': 'No messages yet.',
  'chat.showEarlier': 'Show earlier messages',
  'chat.newMessages': 'New messages',
  'chat.typing': '{name} is typing…',
  'chat.message': 'Message',
  'chat.placeholder': 'Write a message',
  'chat.placeholderDisabled': 'You can write once the connection is secure',
  'chat.send': 'Send',
  'chat.attach': 'Attach file',
  'chat.dropHint': 'You can also drop files here to send them.',
  'chat.you': '{name} (you)',
  'chat.sending': 'Sending…',
  'chat.sent': 'Sent',
  'chat.delivered': 'Delivered',
  'chat.notSent': 'Not sent',
  'chat.retry': 'Retry',
  'chat.identity.unchecked': '{name}’s device key: {fingerprint}',
  'chat.identity.new': 'First conversation with {name} on this device. Their device key {fingerprint} is now remembered.',
  'chat.identity.known': 'You have talked with {name} on this device before (device key {fingerprint}).',
  'chat.identity.knownVerified':
    'You have talked with {name} on this device before, and verified them (device key {fingerprint}).',
  'chat.identity.changed': '{name}’s device key changed: now {fingerprint}.',
  'chat.warning.title': 'Check who this is before you read on',
  'chat.warning.show': 'Show messages anyway',
  'chat.warning.leave': 'Leave conversation',

  // A file transfer (duet-file-card)
  'file.waitingForPeer': 'Waiting for {name} to accept…',
  'file.waitingForYou': 'Waiting for you to accept',
  'file.accept': 'Accept',
  'file.decline': 'Decline',
  'file.cancel': 'Cancel',
  'file.checking': 'Checking…',
  'file.progress': 'Transfer of {name}',
  'file.doneOf': '{done} of {total}',
  'file.speed': '{size}/s',
  'file.timeLeft': '{time} left',
  'file.largeWarning':
    'This file is large ({size}). Your browser cannot write it to disk as it arrives, so it is kept in memory until you save it.',
  'file.declinedByMe': 'You declined this file.',
  'file.declinedByPeer': '{name} declined this file.',
  'file.cancelledByMe': 'You cancelled this transfer.',
  'file.cancelledByPeer': '{name} cancelled this transfer.',
  'file.sendAgain': 'Send again',
  'file.delivered': '✓ Delivered: {name} checked that it arrived intact.',
  'file.checksumVerified': '✓ Checksum verified',
  'file.checksumTitle': 'SHA-256 {sha256}',
  'file.savedToDisk': 'Saved to the file you chose.',
  'file.save': 'Save',
  'file.preview': 'Preview of {name}',

  // Getting attention while the tab is hidden (attention.ts): never the message text
  'attention.titleUnread': '({count}) Duet',
  'attention.notification.one': 'New message from {name}',
  'attention.notification.other': '{count} new messages from {name}',
  'attention.body.one': 'Open Duet to read it.',
  'attention.body.other': 'Open Duet to read them.',
  'cli.usage':
    'Usage: duet --name NAME [options] [link | code | short code]\n       duet keys [--identity FILE] [--force]\n\nWith no invite, creates a room and prints its link, short code and QR code; with one, joins that room.\n`duet keys` makes your long-term identity key (mode 0600) and prints its fingerprint.\n\nOptions:\n  --name NAME             your name as your peer sees it (required)\n  --server URL            the signaling server (env DUET_SERVER; default ws://localhost:8080/ws)\n  --app-url URL           the web app invite links point to (env DUET_APP_URL; default the server’s origin)\n  --ice-servers JSON      ICE servers as a JSON array (env DUET_ICE_SERVERS; default none: nothing leaves this machine)\n  --downloads DIR         where received files are written (env DUET_DOWNLOADS; default the current directory)\n  --remember              prove your identity key so people recognise you, and remember theirs\n  --identity FILE         the identity key file (env DUET_IDENTITY; default $XDG_CONFIG_HOME/duet/identity.json)\n  --force                 with `duet keys`: replace an existing key (people who know you will be warned)\n  --rsa-bits N            RSA key size for the handshake: 2048, 3072 or 4096 (env DUET_RSA_BITS; default 2048)\n  --handshake-timeout S   seconds each handshake step waits for the peer, 1 to 120 (env DUET_HANDSHAKE_TIMEOUT; default 5)\n  --connect-timeout S     seconds to connect to the peer, 5 to 600 (env DUET_CONNECT_TIMEOUT; default 30)\n  --reconnect-timeout S   seconds to restore a lost connection, 10 to 3600 (env DUET_RECONNECT_TIMEOUT; default 120)\n  --help                  this help\n\nWhile chatting: type a line and press Enter to send it (your peer sees you typing).\n  /file PATH   send a file        /accept N, /decline N   answer file N\n  /code        a new short code (each works for one guess)\n  /verify      mark the safety code as verified\n  /trust       show the messages of a peer whose identity key changed\n  /quit        leave (Ctrl-C too)',
  'cli.link': 'Room link: {link}',
  'cli.code': 'Room code: {code}',
  'cli.shortCode': 'Short code: {code}',
  'cli.safetyCode': 'Safety code: {code}',
  'cli.safetyHint': 'Compare it with {name} by voice or in person; type /verify if it matches.',
  'cli.verified': 'Verified: you confirmed the safety codes match.',
  'cli.fileOffered': 'File {number} from {name}: {file} ({size}). Type /accept {number} or /decline {number}.',
  'cli.fileOffering': 'File {number}: {file} ({size}), waiting for {name} to accept…',
  'cli.fileProgress': 'File {number}: {file} {percent}% ({done} of {total})',
  'cli.fileSaved': 'File {number} saved as {path} (SHA-256 {sha256}, checked)',
  'cli.fileDelivered': 'File {number} delivered: {name} checked that it arrived intact.',
  'cli.fileStopped': 'File {number}: {reason}',
  'cli.noSuchFile': 'No file number {number} is waiting for an answer.',
  'cli.unknownCommand': 'Unknown command {command}. Type /help for the commands.',
  'cli.cannotRead': 'Cannot read {path}.',
  'cli.identityHeld': 'Messages from {name} are held. Type /trust to show them anyway, or /quit to leave.',
  'cli.keysCreated': 'Identity key saved in {path} (readable only by you). Its fingerprint: {fingerprint}',
  'cli.keysHint': 'Chat with --remember to use it: people who remember you will recognise this key.',
  'cli.usingIdentity': 'Remembering: your identity key {fingerprint} ({path}).',
} as const;

export type MessageKey = keyof typeof en;

/** A translation of the English catalogue: exactly its keys, each a string. */
export type Catalogue = { readonly [K in MessageKey]: string };
