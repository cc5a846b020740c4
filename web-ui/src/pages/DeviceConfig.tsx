import { useState } from "react";
import { api } from "../api/endpoints";
import type { Peer } from "../api/types";

/** Download link and QR image of a DEVICE's wg-quick file (each download is audited by the controller). */
export function DeviceConfig({ networkId, peer }: { networkId: string; peer: Peer }) {
  const [qrFailed, setQrFailed] = useState(false);
  return (
    <div className="device-config">
      <p>
        <a className="button" href={api.configUrl(networkId, peer.id)} download={`${peer.name}.conf`}>
          Download {peer.name}.conf
        </a>
      </p>
      {!peer.controllerHoldsPrivateKey && (
        <p className="notice warn">
          You brought this device&apos;s public key: replace <code>REPLACE_WITH_YOUR_PRIVATE_KEY</code> in the file with
          its private key.
        </p>
      )}
      {qrFailed ? (
        <p className="notice error" role="alert">
          The QR code could not be produced (the config may be too large for a QR code); use the download.
        </p>
      ) : (
        <img
          className="qr"
          src={api.qrUrl(networkId, peer.id)}
          alt={`QR code of the WireGuard configuration for ${peer.name}`}
          width={280}
          height={280}
          onError={() => setQrFailed(true)}
        />
      )}
    </div>
  );
}
