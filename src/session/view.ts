/**
 * What the UI sees of a session: the state it renders and the actions it calls.
 * Elements depend on this, not on the Session class, so they can be shown with any
 * implementation (a recorded one in tests, a remote one later).
 */
import type { DuetError } from '../core/errors.ts';
import type { DeviceIdentity } from '../core/identity.ts';
import type { Role } from '../core/roles.ts';
import type { DeviceStore } from '../storage/device-store.ts';
import type { ChatMessage } from './conversation.ts';
import type { SessionDiagnostics } from './diagnostics.ts';
import type { FileSink, FileSource, FileTransfer } from './file-transfers.ts';
import type { PeerIdentity } from './peer-trust.ts';
import type { LinkRoute } from '../transport/peer-link.ts';
import type { AddressPolicy, RelayOffer } from './ice-supply.ts';
import type { Invite, SessionStatus } from './phases.ts';
import type { TimelineView } from './timeline.ts';

export type { ChatMessage, DeliveryState } from './conversation.ts';
export type { FileSink, FileSource, FileTransfer } from './file-transfers.ts';
export type { PeerIdentity } from './peer-trust.ts';
export type { AddressPolicy, RelayOffer } from './ice-supply.ts';
export type { LinkRoute } from '../transport/peer-link.ts';
export type { Invite, ReconnectStage, SessionStatus, ShortCodeOffer } from './phases.ts';
export type { TimelineItem, TimelineView } from './timeline.ts';

/** Something went wrong without ending the conversation (e.g. a forged record was dropped). */
export interface SessionNotice {
  id: number;
  error: DuetError;
  at: number;
}

export interface SessionView {
  readonly status: SessionStatus;
  readonly messages: readonly ChatMessage[];
  readonly notices: readonly SessionNotice[];
  readonly transfers: readonly FileTransfer[];
  /** Messages and files together, in the order they happened; what the log shows. */
  readonly timeline: TimelineView;
  readonly myName: string;
  readonly peerName: string;
  readonly role: Role | undefined;
  readonly invite: Invite | undefined;
  readonly verified: boolean;
  readonly peerIdentity: PeerIdentity;
  readonly peerTyping: boolean;
  readonly canSend: boolean;
  readonly canSendFiles: boolean;
  readonly identityWarningPending: boolean;
  /** Whether "Hide my IP address from my peer" can work with this server ('unknown' until checkRelay() hears). */
  readonly relayOffer: RelayOffer;
  readonly addressPolicy: AddressPolicy;
  /** How the connection runs: 'direct', 'relayed' (through a TURN server), or 'unknown'. */
  readonly route: LinkRoute;
  checkRelay(): void;
  setAddressPolicy(policy: AddressPolicy): void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  useDevice(identity: DeviceIdentity, store: DeviceStore): void;
  createRoom(name: string): Promise<void>;
  /** (Host, waiting) asks for a short code; `invite.shortCode` follows it. */
  requestShortCode(): void;
  joinRoom(name: string, input: string): Promise<void>;
  /** A code is being typed in the lobby: what connecting needs starts loading now, so Join does not wait for it. */
  prepareToJoin(): void;
  send(text: string): Promise<void>;
  retry(id: string): Promise<void>;
  notifyTyping(): void;
  leave(): void;
  markVerified(): void;
  acknowledgeIdentityWarning(): Promise<void>;
  dismissNotice(id: number): void;
  sendFile(source: FileSource): Promise<void>;
  acceptFile(id: string, sink: FileSink): Promise<void>;
  declineFile(id: string): Promise<void>;
  cancelFile(id: string): Promise<void>;
  retryFile(id: string): Promise<void>;
  simulateConnectionLoss(): void;
  diagnostics(): Promise<SessionDiagnostics>;
}
