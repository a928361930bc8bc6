/** The signed-in device a request acts for (its token verified and the device not revoked). */
export type Viewer = Readonly<{ userId: string; deviceId: string }>;
