import { limits } from '@mailboat/schema';
import type { SignedIn } from '../accounts/accounts-service.js';
import * as accounts from '../accounts/accounts-service.js';
import { requireViewer } from '../auth/authenticate.js';
import { clearedRefreshCookie, refreshCookie } from '../auth/refresh-cookie.js';
import * as devices from '../devices/devices-service.js';
import { encodeGlobalId, idOf } from '../global-ids.js';
import * as pairing from '../pairing/pairing-service.js';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { DeviceRef } from './device.js';
import { UserRef } from './user.js';

const RefreshTokenDelivery = builder.enumType('RefreshTokenDelivery', {
  description: 'Where the refresh token goes. Browsers use COOKIE (HttpOnly, never readable by scripts); other clients may use BODY.',
  values: ['COOKIE', 'BODY'] as const,
});

const DeviceInput = builder.inputType('DeviceInput', {
  description: 'How the signing-in device describes itself in the device list.',
  fields: (t) => ({
    name: t.string({ required: true, description: `e.g. "Ana's phone"; ${limits.deviceName.max} characters at most.` }),
    platform: t.string({ required: true, description: 'e.g. "android", "ios", "web", "macos".' }),
    appVersion: t.string({ required: true }),
  }),
});

type AuthPayloadShape = SignedIn & { delivery: 'COOKIE' | 'BODY' };

const AuthPayload = builder.objectRef<AuthPayloadShape>('AuthPayload').implement({
  description: 'A signed-in session for a new device.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
    device: t.field({ type: DeviceRef, resolve: (p) => p.device }),
    accessToken: t.exposeString('accessToken', { description: 'Send as "Authorization: Bearer <token>". Lives at most 15 minutes.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime' }),
    refreshToken: t.string({
      nullable: true,
      description: 'Only with refreshTokenDelivery BODY; with COOKIE it is set as an HttpOnly cookie and this is null.',
      resolve: (p) => (p.delivery === 'BODY' ? p.refreshToken : null),
    }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', { type: 'DateTime', description: 'Unless used (rotated) before then.' }),
  }),
});

const deliveryArg = { type: RefreshTokenDelivery, defaultValue: 'COOKIE' as const, required: true } as const;

function deliver(ctx: Context, signedIn: SignedIn, delivery: 'COOKIE' | 'BODY'): AuthPayloadShape {
  if (delivery === 'COOKIE') ctx.setCookie(refreshCookie(signedIn.refreshToken, signedIn.refreshTokenExpiresAt, ctx.secure));
  return { ...signedIn, delivery };
}

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    handle: t.string({
      required: true,
      description: `${limits.handle.min}-${limits.handle.max} characters of a-z, 0-9, _ (case-insensitive).`,
    }),
    password: t.string({ required: true, description: `${limits.password.min}-${limits.password.max} characters.` }),
    displayName: t.string({ required: true }),
    device: t.field({ type: DeviceInput, required: true }),
    refreshTokenDelivery: t.field(deliveryArg),
  }),
});

const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    handle: t.string({ required: true }),
    password: t.string({ required: true }),
    device: t.field({ type: DeviceInput, required: true }),
    refreshTokenDelivery: t.field(deliveryArg),
  }),
});

const RedeemPairingCodeInput = builder.inputType('RedeemPairingCodeInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'As shown on the signed-in device; spaces, dashes and case are ignored.' }),
    device: t.field({ type: DeviceInput, required: true }),
    refreshTokenDelivery: t.field(deliveryArg),
  }),
});

const PairingCode = builder.objectRef<{ code: string; expiresAt: Date }>('PairingCode').implement({
  description: 'A one-time code that signs a new device into this account without the password.',
  fields: (t) => ({
    code: t.exposeString('code', { description: `${limits.pairingCodeLength} characters; show as text and as a QR code.` }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const SignOutPayload = builder.objectRef<{ revokedDeviceIds: string[] }>('SignOutPayload').implement({
  fields: (t) => ({
    revokedDevices: t.field({
      type: ['ID'],
      description: 'IDs of the devices signed out by this call.',
      resolve: (p) => p.revokedDeviceIds.map((id) => encodeGlobalId('Device', id)),
    }),
  }),
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: AuthPayload,
    description: 'Creates an account and signs this device in. Errors: HANDLE_TAKEN, BAD_USER_INPUT, RATE_LIMITED.',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_, { input }, ctx) => {
      await ctx.rateLimits.consumeAuthAttempt(ctx.clientIp);
      return deliver(ctx, await accounts.signUp(ctx, input), input.refreshTokenDelivery);
    },
  }),
  signIn: t.field({
    type: AuthPayload,
    description: 'Signs this device in as a new device. Errors: INVALID_CREDENTIALS, BAD_USER_INPUT, RATE_LIMITED.',
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: async (_, { input }, ctx) => {
      await ctx.rateLimits.consumeAuthAttempt(ctx.clientIp);
      return deliver(ctx, await accounts.signIn(ctx, input), input.refreshTokenDelivery);
    },
  }),
  redeemPairingCode: t.field({
    type: AuthPayload,
    description: 'Signs this device in with a code made on a signed-in device. Errors: PAIRING_CODE_INVALID, PAIRING_CODE_EXPIRED.',
    args: { input: t.arg({ type: RedeemPairingCodeInput, required: true }) },
    resolve: async (_, { input }, ctx) => {
      await ctx.rateLimits.consumeAuthAttempt(ctx.clientIp);
      return deliver(ctx, await pairing.redeemPairingCode(ctx, input), input.refreshTokenDelivery);
    },
  }),
  createPairingCode: t.field({
    type: PairingCode,
    description: 'Makes a one-time code for linking a new device; valid for a few minutes.',
    resolve: (_, __, ctx) => pairing.createPairingCode(ctx, requireViewer(ctx)),
  }),
  signOut: t.field({
    type: SignOutPayload,
    description: 'Signs this device out: its tokens and subscriptions stop working at once, and the refresh cookie is cleared.',
    resolve: async (_, __, ctx) => {
      const revoked = await accounts.signOut(ctx, requireViewer(ctx));
      ctx.setCookie(clearedRefreshCookie(ctx.secure));
      return { revokedDeviceIds: revoked.map((d) => d.id) };
    },
  }),
  signOutEverywhere: t.field({
    type: SignOutPayload,
    description: 'Signs every device of this account out, this one included.',
    resolve: async (_, __, ctx) => {
      const revoked = await accounts.signOutEverywhere(ctx, requireViewer(ctx));
      ctx.setCookie(clearedRefreshCookie(ctx.secure));
      return { revokedDeviceIds: revoked.map((d) => d.id) };
    },
  }),
  revokeDevice: t.field({
    type: DeviceRef,
    description: 'Revokes one of your devices at once (tokens, refresh and subscriptions). Errors: NOT_FOUND.',
    args: { id: t.arg.globalID({ required: true }) },
    resolve: (_, { id }, ctx) => devices.revokeDevice(ctx, requireViewer(ctx), idOf(id, 'Device', 'id')),
  }),
  updateProfile: t.field({
    type: UserRef,
    args: { displayName: t.arg.string({ required: true }) },
    resolve: (_, args, ctx) => accounts.updateProfile(ctx, requireViewer(ctx), args),
  }),
}));
